from django import forms

from onethread.catalogue.models import Category, Product
from onethread.needs.models import Need


class CaptureNeedForm(forms.Form):
    statement = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    category = forms.ModelChoiceField(queryset=Category.objects.all(), required=False)
    priority = forms.TypedChoiceField(
        choices=Need.Priority.choices, coerce=int, initial=Need.Priority.MEDIUM
    )


class ChangeNeedForm(forms.Form):
    status = forms.ChoiceField(choices=Need.Status.choices)
    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(is_active=True), required=False
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
