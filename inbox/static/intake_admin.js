// Failed intake list: one box ticks every record on the page for a bulk retry.
(function () {
  var all = document.getElementById("tick-all");
  if (!all) { return; }
  all.addEventListener("change", function () {
    document.querySelectorAll('#bulk input[name="ids"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
