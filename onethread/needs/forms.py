from typing import Any

from django import forms

from onethread.catalogue.models import Category, Product
from onethread.needs.models import Need


class CaptureNeedForm(forms.Form):
    statement = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    category = forms.ModelChoiceField(queryset=Category.objects.all(), required=False)
    priority = forms.TypedChoiceField(
        choices=Need.Priority.choices, coerce=int, initial=Need.Priority.MEDIUM
    )
    # Set after a possible repeat was refused: whether it is the known need told again.
    repeat = forms.ChoiceField(
        choices=[("same", "Same need"), ("different", "A different need")], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The needs the ledger already knows that look like this one, when the service said so.
        self.repeat_matches: list[tuple[Need, float]] = []


class ChangeNeedForm(forms.Form):
    status = forms.ChoiceField(choices=Need.Status.choices)
    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(is_active=True), required=False
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
