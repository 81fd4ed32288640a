from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet

from onethread.customers.models import Contact
from onethread.imports.mapping import packaged_mappings
from onethread.imports.uploads import max_upload_bytes

MAPPING_MAX_BYTES = 256 * 1024


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more files from one input."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class ImportForm(forms.Form):
    csv_files = MultipleFileField(
        error_messages={"required": "Choose the CSV (or Parquet) file(s) to import."}
    )
    mapping = forms.ChoiceField(required=False)
    mapping_file = forms.FileField(required=False)
    skip_invalid = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mapping = self.fields["mapping"]
        assert isinstance(mapping, forms.ChoiceField)
        mapping.choices = [("", "— or upload one below —")] + [
            (name, name) for name in packaged_mappings()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        packaged, uploaded = data.get("mapping"), data.get("mapping_file")
        if bool(packaged) == bool(uploaded):
            raise forms.ValidationError(
                "Choose a ready-made mapping or upload your own mapping file, one of the two."
            )
        if uploaded is not None and uploaded.size > MAPPING_MAX_BYTES:
            self.add_error("mapping_file", "A mapping file is a small TOML file (at most 256 KB).")
        limit = max_upload_bytes()
        total = sum(int(upload.size or 0) for upload in data.get("csv_files") or [])
        if total > limit:
            self.add_error(
                "csv_files",
                f"The files weigh {total / 1048576:.1f} MB together; the page takes up to "
                f"{limit // 1048576} MB. Import bigger files with `onethread import csv`.",
            )
        return data


class MergeAccountsForm(forms.Form):
    """The versions of both accounts as the confirmation page showed them."""

    keep_version = forms.IntegerField(min_value=1)
    remove_version = forms.IntegerField(min_value=1)


class MergeContactsForm(forms.Form):
    keep = forms.ModelChoiceField(queryset=Contact.objects.none(), label="Keep")
    remove = forms.ModelChoiceField(queryset=Contact.objects.none(), label="Merge into it")

    def __init__(self, *args: Any, contacts: QuerySet[Contact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = contacts  # type: ignore[attr-defined]
        self.fields["remove"].queryset = contacts  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("keep") is not None and data.get("keep") == data.get("remove"):
            raise forms.ValidationError("Choose two different contacts.")
        return data
