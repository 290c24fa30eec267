"""Tables from elsewhere: the provider's case sample and answers captured outside the app.

Reading (`tables`) turns a CSV or XLSX file into rows of trimmed text numbered as the user sees
them in a spreadsheet; the importers (`case_sample`, `answers`) check every row against the
inspection's framework, report every problem with its row and column, and write nothing unless
the file is clean (or the caller chose to import only the clean rows of a sample).
"""

from fieldwork.imports.tables import ImportProblem, Problem, Table, TableRow, read_table

__all__ = ["ImportProblem", "Problem", "Table", "TableRow", "read_table"]
