// The mapping table: a box that selects every SKU on the page for the bulk
// actions. The page works without it; it is hidden until this script runs.
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) {
    return;
  }
  var picks = document.querySelectorAll("input.pick");
  all.hidden = false;
  all.addEventListener("change", function () {
    for (var i = 0; i < picks.length; i++) {
      picks[i].checked = all.checked;
    }
  });
  for (var i = 0; i < picks.length; i++) {
    picks[i].addEventListener("change", function () {
      var n = 0;
      for (var j = 0; j < picks.length; j++) {
        if (picks[j].checked) {
          n++;
        }
      }
      all.checked = n === picks.length;
      all.indeterminate = n > 0 && n < picks.length;
    });
  }
})();
