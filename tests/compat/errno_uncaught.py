# An OSError from the file system prints as CircuitPython prints it.
open("no_such_file.txt")
