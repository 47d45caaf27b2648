from vpexcel.cli import run

run()
