"""Application services: the domain operations views and commands share (no HTML here)."""
