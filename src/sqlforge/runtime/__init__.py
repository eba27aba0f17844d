"""sqlforge's runtime conversions, copied into generated packages (see `conversions`)."""
