/* The rating box of a case page, shown to whoever holds the tracking link. */
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var match = /[#&]k=([^&]+)/.exec(location.hash);
  if (!match) { return; }
  var box = document.getElementById("rate");
  box.hidden = false;
  box.querySelectorAll("button[data-rating]").forEach(function (button) {
    button.addEventListener("click", function () {
      var error = document.getElementById("rate-error");
      error.hidden = true;
      fetch(data.api + "/tickets/" + data.number + "/rating", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ rating: button.dataset.rating, comment: document.getElementById("rate-comment").value,
                               secret: decodeURIComponent(match[1]) })
      }).then(function (r) { return r.json().then(function (j) { if (!r.ok) { throw new Error(j.message); } }); })
        .then(function () { box.querySelector(".choices").hidden = true; document.getElementById("rate-done").hidden = false; })
        .catch(function (e) { error.textContent = "评价未成功：" + e.message; error.hidden = false; });
    });
  });
})();
