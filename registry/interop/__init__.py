"""Mappings between the registry's listings and outside formats."""
