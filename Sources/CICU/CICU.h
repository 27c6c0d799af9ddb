// Intentionally empty: this module only carries ICU's pkg-config search and link
// flags. ICU's own headers are included by the C shim's implementation files alone.
