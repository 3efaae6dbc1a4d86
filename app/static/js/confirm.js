// Destructive buttons ask first: a button (or a form) with data-confirm="question" submits only
// when the user says yes. Without JavaScript the form submits as before.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var question = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
