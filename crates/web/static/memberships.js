// Assign Memberships: keeps "Selected (N)" in step with the ticked boxes while the person
// chooses; the page works the same without this script (the count updates on "Search").
"use strict";
(function () {
  const count = document.getElementById("selected-count");
  if (!count) {
    return;
  }
  const empty = document.getElementById("selected-empty");
  const update = function () {
    const ticked = document.querySelectorAll('input[name="add"]:checked').length;
    count.textContent = String(ticked);
    if (empty) {
      empty.hidden = ticked > 0;
    }
  };
  document.addEventListener("change", function (event) {
    if (event.target instanceof HTMLInputElement && event.target.name === "add") {
      update();
    }
  });
})();
