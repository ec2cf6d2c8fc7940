"""Editing Go: reading sources with tree-sitter (gosource), splicing hook
calls into them (edit) and generating the trampolines (codegen)."""
