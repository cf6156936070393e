#include "plugins_dialog.hpp"

#include "voirie/core/plugin_host/plugin_registry.hpp"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace voirie::gui {

PluginsDialog::PluginsDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle("Plugins");
    resize(960, 560);
    list_ = new QTreeWidget(this);
    list_->setHeaderLabels({"Plugin", "Kind", "Version", "State", "Vendor", "Classes", "Threads"});
    list_->setRootIsDecorated(false);
    list_->setAlternatingRowColors(true);
    details_ = new QPlainTextEdit(this);
    details_->setReadOnly(true);
    details_->setFont(QFont("DejaVu Sans Mono", 9));
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(list_);
    split->addWidget(details_);
    split->setSizes({300, 240});
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton* rescan = buttons->addButton("Rescan", QDialogButtonBox::ActionRole);
    auto* layout = new QVBoxLayout(this);
    auto* search = new QLabel(this);
    search->setObjectName("searchPath");
    search->setWordWrap(true);
    layout->addWidget(search);
    layout->addWidget(split, 1);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(rescan, &QPushButton::clicked, this, &PluginsDialog::reload);
    connect(list_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        details_->setPlainText(item ? item->data(0, Qt::UserRole).toString() : QString());
    });
    reload();
}

void PluginsDialog::reload()
{
    PluginRegistry registry(PluginRegistry::defaultSearchPath());
    registry.loadAll(); // so a broken binary shows as failed now, with its reason
    QStringList dirs;
    for (const auto& d : registry.searchDirs())
        dirs << QString::fromStdString(d.string());
    findChild<QLabel*>("searchPath")->setText("Searched: " + dirs.join("  ·  "));
    list_->clear();
    for (const auto& e : registry.entries()) {
        auto* item = new QTreeWidgetItem(list_);
        const auto& m = e.manifest;
        item->setText(0, QString::fromStdString(m ? m->name + " (" + m->id + ")" : e.id()));
        item->setText(1, QString::fromStdString(m ? m->kind : "?"));
        item->setText(2, QString::fromStdString(m ? m->version : ""));
        item->setText(3, QString::fromStdString(toString(e.state)));
        item->setText(4, QString::fromStdString(m ? m->vendor : ""));
        QStringList classes;
        if (m)
            for (const auto& c : m->classes)
                classes << QString::fromStdString(c);
        item->setText(5, classes.join(" "));
        item->setText(6, QString::fromStdString(m ? toString(m->thread_safety) : ""));
        const bool failed = e.state == PluginState::Failed;
        item->setForeground(3, failed ? QColor(0xc0, 0x20, 0x20) : QColor(0x20, 0x80, 0x30));
        if (failed)
            item->setToolTip(3, QString::fromStdString(e.failure));
        nlohmann::ordered_json j = m ? manifestJson(*m) : nlohmann::ordered_json::object();
        std::string text = failed ? "FAILED: " + e.failure + "\n\n" : std::string();
        text += "Location: " + e.location.string() + "\n\n" + (m ? j.dump(2) : std::string("(no readable plugin.json)"));
        item->setData(0, Qt::UserRole, QString::fromStdString(text));
    }
    for (int c = 0; c < list_->columnCount(); ++c)
        list_->resizeColumnToContents(c);
    if (list_->topLevelItemCount() > 0)
        list_->setCurrentItem(list_->topLevelItem(0));
}

} // namespace voirie::gui
