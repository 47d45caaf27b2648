"""The edges that touch files: reading workbooks, writing reports and settings."""
