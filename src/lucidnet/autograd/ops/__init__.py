"""Differentiable ops, one family per file; each op's forward and backward sit side by side."""
