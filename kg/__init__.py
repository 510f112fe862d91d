"""kg: knowledge graphs from Chinese local news."""

__version__ = "0.1.0"
