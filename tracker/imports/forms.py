"""The import page's form: which kind of rows, and the file."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField
from wtforms.validators import DataRequired

from tracker.imports.columns import KIND_LABELS


class UploadForm(FlaskForm):
    kind = SelectField(_l("What the file holds"), choices=list(KIND_LABELS.items()),
                       validators=[DataRequired(_l("Choose what the file holds."))])
    file = FileField(_l("File (CSV or XLSX)"),
                     description=_l("CSV in UTF-8, separated by commas or semicolons, or an "
                                    "Excel workbook (its first sheet). The first row names the "
                                    "columns."))
