// The GUI suites run on Qt's offscreen platform (no display needed), with their own settings
// folder so recent-file lists never touch the user's.
#include <QApplication>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    const auto settings = std::filesystem::temp_directory_path() / "voirie-gui-test-settings";
    qputenv("XDG_CONFIG_HOME", settings.string().c_str());
    QApplication app(argc, argv);
    QApplication::setOrganizationName("VoirieTest");
    QApplication::setApplicationName("voirie-app-test");
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
