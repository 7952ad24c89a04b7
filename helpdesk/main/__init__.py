"""Home page, language switcher and health check."""
