"""HTML blueprints, one package per area."""
