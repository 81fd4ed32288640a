from django import forms

from onethread.journeys.models import Journey, Stage


class StageMoveForm(forms.Form):
    stage = forms.ModelChoiceField(queryset=Stage.objects.none(), empty_label=None)
    reason = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self, *args: object, journey: Journey, stages: list[Stage], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["stage"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Stage.objects.exclude(pk=journey.stage_id).order_by("position")
        self.choices_active = [s for s in stages if not s.is_outcome and s.pk != journey.stage_id]
        self.choices_outcome = [s for s in stages if s.is_outcome and s.side == journey.stage.side]
        self.initial.setdefault("version", journey.version)


class NoteForm(forms.Form):
    text = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    question = forms.BooleanField(required=False)
