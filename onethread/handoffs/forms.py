from collections.abc import Mapping
from typing import Any

from django import forms

from onethread.handoffs.models import ReturnReason
from onethread.handoffs.services import NOTE_MAX_LENGTH
from onethread.journeys.models import Stage
from onethread.team.models import Member

ANSWER_PREFIX = "answer-"
ANSWER_MAX_LENGTH = 500
MISSING_MAX_ITEMS = 20
RATINGS = [(n, str(n)) for n in range(1, 6)]


class SendHandoffForm(forms.Form):
    """Send the journey to the next stage. The contract's confirmed items are
    answered in fields named `answer-<item id>`; the service checks the rest."""

    to_stage = forms.ModelChoiceField(
        queryset=Stage.objects.all(),
        widget=forms.HiddenInput,
        label="Next stage",
        error_messages={"invalid_choice": "No such stage."},
    )
    to_member = forms.ModelChoiceField(
        queryset=Member.objects.filter(user__is_active=True).select_related("user"),
        required=False,
        label="Receiver",
        error_messages={"invalid_choice": "No such member: choose someone from the list."},
    )
    note = forms.CharField(max_length=NOTE_MAX_LENGTH, required=False, label="Notes")
    open_questions = forms.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, label="Open questions"
    )
    override_reason = forms.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, label="Reason to send anyway"
    )

    def answers(self) -> dict[int, str]:
        """The sender's answer to each confirmed item, by contract item id."""
        return answers_from(self.data)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        for key, value in self.data.items():
            if key.startswith(ANSWER_PREFIX) and len(value) > ANSWER_MAX_LENGTH:
                raise forms.ValidationError(
                    f"Keep each answer under {ANSWER_MAX_LENGTH} characters."
                )
        return cleaned


def answers_from(data: Mapping[str, Any]) -> dict[int, str]:
    answers = {}
    for key, value in data.items():
        item_id = key.removeprefix(ANSWER_PREFIX)
        if key.startswith(ANSWER_PREFIX) and item_id.isdigit() and len(item_id) <= 18:
            answers[int(item_id)] = str(value).strip()
    return answers


class AcceptHandoffForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Rate the handoff from 1 to 5."},
    )
    missing = forms.MultipleChoiceField(choices=[], required=False)
    missing_other = forms.CharField(max_length=200, required=False, label="Something else")
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, item_labels: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["missing"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(label, label) for label in item_labels]

    def missing_items(self) -> list[str]:
        """The contract items ticked as missing, then the free text."""
        missing = list(self.cleaned_data["missing"])[:MISSING_MAX_ITEMS]
        other = self.cleaned_data["missing_other"].strip()
        return [*missing, other] if other else missing


class ReturnHandoffForm(forms.Form):
    reason = forms.ModelChoiceField(
        queryset=ReturnReason.objects.filter(is_active=True),
        error_messages={
            "required": "Say why you return it: choose a reason.",
            "invalid_choice": "Choose one of the listed reasons.",
        },
    )
    comment = forms.CharField(max_length=NOTE_MAX_LENGTH, required=False)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
