// The account team's "Mention" and "Ask" buttons: put "@username " into the
// note form (and, for Ask, tick "This is a question"), then move the focus
// there. One listener on the document, so it survives htmx swapping #thread.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-mention]");
  if (!button) return;
  var text = document.getElementById("note-text");
  if (!text) return;
  var form = text.closest("details");
  if (form) form.open = true;
  var mention = "@" + button.dataset.mention;
  var already = new RegExp("(^|\\s)" + mention.replace(/[.+-]/g, "\\$&") + "(\\s|$)");
  if (!already.test(text.value)) {
    var separator = text.value && !/\s$/.test(text.value) ? " " : "";
    text.value = text.value + separator + mention + " ";
  }
  if (button.hasAttribute("data-ask")) {
    var question = document.getElementById("note-question");
    if (question) question.checked = true;
  }
  text.focus();
  text.setSelectionRange(text.value.length, text.value.length);
});
