"""HTML templates shipped with kg (a package so setuptools picks up its *.html package data)."""
