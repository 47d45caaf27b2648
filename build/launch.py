"""Entry point of the packaged program (PyInstaller): the same command line as the Python install."""

from vpexcel.cli import run

if __name__ == "__main__":
    run()
