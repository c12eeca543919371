"""PDF exports drawn with reportlab (imported only inside the functions that draw)."""
