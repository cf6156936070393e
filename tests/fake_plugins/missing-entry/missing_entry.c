/* A shared library that exports something, but not voirie_plugin_entry. */
__attribute__((visibility("default"))) int some_other_function(void) { return 42; }
