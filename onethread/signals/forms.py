from django import forms

from onethread.signals.models import DismissReason
from onethread.signals.services import TASK_MAX_LENGTH


class ActForm(forms.Form):
    deal_name = forms.CharField(max_length=200, required=False)
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    task = forms.CharField(max_length=TASK_MAX_LENGTH, required=False)
    due_on = forms.DateField(required=False)


class DismissForm(forms.Form):
    reason = forms.ChoiceField(choices=DismissReason.choices)
    note = forms.CharField(max_length=TASK_MAX_LENGTH, required=False)
