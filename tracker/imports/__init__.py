"""Import of the directory and of past applications from CSV and XLSX files.

``columns.py`` is the data dictionary (docs/import.md), ``reading.py`` turns a file into
rows keyed by column code, ``kinds.py`` checks each row through the directory's and the
applications' own rules, ``writing.py`` runs a dry run or writes the valid rows in batches.
"""
