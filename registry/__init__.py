"""Microcred Registry: a national micro-credential registry served as GraphQL over PostgreSQL."""
