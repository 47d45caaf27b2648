"""vpexcel: checks, reconciles and fills a municipal board's budget workbooks.

The package keeps a functional core (settings, layout detection, rules) that
works on plain cell grids, and thin edges (``vpexcel.io``, ``vpexcel.cli``) that
touch files, Excel and the terminal.
"""

__version__ = "0.1.0"
