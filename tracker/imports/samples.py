"""The template files of the import page: each kind's columns (their codes, which read the
same in every language) and one example row, as CSV and as XLSX."""

import csv
import io

from tracker.imports.columns import COLUMNS


def template_rows(kind):
    columns = COLUMNS[kind]
    return [[column.code for column in columns], [column.example for column in columns]]


def template_csv(kind):
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer).writerows(template_rows(kind))
    return buffer.getvalue().encode()


def template_xlsx(kind):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(kind)
    for row in template_rows(kind):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
