// The console's only script: the step-up dialog opens as a modal, and the
// city picker submits itself.
document.addEventListener("DOMContentLoaded", function () {
  var d = document.getElementById("stepup");
  if (d && d.showModal) {
    d.close();
    d.showModal();
    var f = d.querySelector("input[name=answer]");
    if (f) { f.focus(); }
  }
  var c = document.getElementById("city");
  if (c) {
    c.addEventListener("change", function () { c.form.submit(); });
  }
});
