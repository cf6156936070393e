// voirie-app's "Compare with an older survey": the sample street two years later compared with
// the sample project. The map colours damages by change label and rings the defects that are
// gone, the table gets a Change column and filter, the selected damage shows then and now side
// by side; a street elsewhere is refused with the window usable. Screenshot:
// build/test-screenshots/compare.png (VOIRIE_SCREENSHOTS=folder to put it elsewhere).
#include "cli_fixtures.hpp"
#include "sample_survey.hpp"

#include "damage_table_model.hpp"
#include "main_window.hpp"
#include "map_canvas.hpp"

#include "voirie/core/campaign/change_reader.hpp"

#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QTableView>

#include <gtest/gtest.h>

#include <cstdlib>

namespace fs = std::filesystem;
using namespace voirie;
using namespace voirie::test;
using voirie::gui::MainWindow;

namespace {

class AppCompare : public ::testing::Test {
protected:
    void SetUp() override
    {
        fs::copy_file(cachedSampleProject(), dir_ / "2026.gpkg");
        fs::copy_file(cachedSampleCampaigns() / "later.gpkg", dir_ / "2028.gpkg");
        window_ = std::make_unique<MainWindow>();
        window_->resize(1400, 900);
        window_->show();
        ASSERT_TRUE(window_->openProject(QString::fromStdString((dir_ / "2028.gpkg").string()), true))
            << window_->lastError().toStdString();
        QApplication::processEvents();
    }
    TempDir dir_;
    std::unique_ptr<MainWindow> window_;
};

TEST_F(AppCompare, ColoursTheMapFiltersTheTableAndShowsThenAndNow)
{
    QTableView* table = window_->damageTable();
    EXPECT_TRUE(table->isColumnHidden(gui::DamageTableModel::Change)); // no comparison yet
    ASSERT_TRUE(window_->compareWith(QString::fromStdString((dir_ / "2026.gpkg").string()), true))
        << window_->lastError().toStdString();
    QApplication::processEvents();
    const auto* p = window_->project();
    ASSERT_TRUE(p->changes.has_value());
    EXPECT_FALSE(table->isColumnHidden(gui::DamageTableModel::Change));
    EXPECT_TRUE(window_->changeFilter()->isVisible());

    // Every damage of this survey has a label; the gone ones are rings on the map.
    int grown = 0;
    for (size_t i = 0; i < p->damages.size(); ++i) {
        const std::string label = p->changeOf(int(i));
        EXPECT_FALSE(label.empty()) << "damage " << p->damages[i].damage_id;
        grown += label == "grown";
    }
    ASSERT_GT(grown, 0);
    size_t gone = 0;
    for (const auto& d : p->changes->record.defects)
        gone += d.damage_id_now < 0;
    EXPECT_EQ(p->changes->gone.size(), gone);

    // The filter keeps the grown ones, in the table and on the map.
    window_->changeFilter()->setCurrentIndex(window_->changeFilter()->findData("grown"));
    QApplication::processEvents();
    ASSERT_EQ(table->model()->rowCount(), grown);
    for (int row = 0; row < grown; ++row)
        EXPECT_EQ(table->model()->index(row, gui::DamageTableModel::Change).data().toString(), "grown");

    // Selecting one shows its two evidence chips side by side.
    table->selectRow(0);
    QApplication::processEvents();
    ASSERT_GE(window_->selectedDamage(), 0);
    EXPECT_TRUE(window_->thenImage()->isVisible());
    EXPECT_FALSE(window_->thenImage()->pixmap().isNull());
    EXPECT_FALSE(window_->nowImage()->pixmap().isNull());

    const fs::path shots = std::getenv("VOIRIE_SCREENSHOTS") ? fs::path(std::getenv("VOIRIE_SCREENSHOTS"))
                                                             : fs::path(VOIRIE_BUILD_DIR) / "test-screenshots";
    fs::create_directories(shots);
    window_->changeFilter()->setCurrentIndex(0);
    QApplication::processEvents();
    EXPECT_TRUE(window_->grab().save(QString::fromStdString((shots / "compare.png").string())));

    // Another project drops the comparison.
    ASSERT_TRUE(window_->openProject(QString::fromStdString((dir_ / "2026.gpkg").string()), true));
    EXPECT_FALSE(window_->project()->changes.has_value());
    EXPECT_TRUE(table->isColumnHidden(gui::DamageTableModel::Change));
}

TEST_F(AppCompare, AStreetElsewhereIsRefusedAndTheWindowStaysAsItWas)
{
    writeFile(dir_ / "not-a-project.gpkg", "hello");
    EXPECT_FALSE(window_->compareWith(QString::fromStdString((dir_ / "not-a-project.gpkg").string()), true));
    EXPECT_NE(window_->lastError().toStdString().find("not-a-project.gpkg"), std::string::npos)
        << window_->lastError().toStdString();
    EXPECT_FALSE(window_->project()->changes.has_value());
    EXPECT_FALSE(window_->compareWith(QString::fromStdString((dir_ / "2028.gpkg").string()), true)); // itself
    EXPECT_NE(window_->lastError().toStdString().find("same file"), std::string::npos);
    EXPECT_TRUE(window_->damageTable()->isColumnHidden(gui::DamageTableModel::Change));
}

} // namespace
