// Optional: check the draft as the PIO types. The page works the same without it
// (the "Check" button re-renders the page with the findings).
(function () {
  "use strict";
  var form = document.getElementById("draft");
  if (!form || !window.fetch) { return; }
  var timer = null;
  function check() {
    var data = new FormData(form);
    fetch(form.dataset.check, {method: "POST", body: data, credentials: "omit"})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        var box = document.getElementById("findings");
        if (html !== null && box) { box.outerHTML = html; }
      })
      .catch(function () { /* offline: the Check button still works */ });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 700);
  });
})();
