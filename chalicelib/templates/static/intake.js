/* The intake form, enhanced: a key per filled form, the counter, photos straight to storage,
   one submit. Without this script the same form posts as plain HTML and ends on the receipt. */
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var m = data.messages;
  var form = document.getElementById("intake");
  var error = document.getElementById("error");
  var button = document.getElementById("submit");
  var text = document.getElementById("description");
  var thumbs = document.getElementById("thumbs");
  var input = document.getElementById("photo-input");
  var pending = 0;
  form.noValidate = true;  // this script explains each problem itself; without it the browser does
  var types = ["image/jpeg", "image/png", "image/webp"];
  // One key per filled form: a double tap or a resend never files the case twice. It lives in the
  // tab's session storage with the photos already uploaded, so going back to the form (after a
  // refusal, say) keeps both; changing what the form says makes it a new submission, a new key.
  var place = "mashang.intake." + form.elements.location.value;
  var saved = {};
  try { saved = JSON.parse(sessionStorage.getItem(place) || "{}"); } catch (e) { saved = {}; }
  function newKey() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + String(Math.random()).slice(2);
  }
  function keep() {
    var uploads = Array.prototype.map.call(thumbs.querySelectorAll("input[name=photos]"), function (i) { return i.value; });
    try { sessionStorage.setItem(place, JSON.stringify({ key: document.getElementById("key").value, photos: uploads })); } catch (e) { /* private mode */ }
  }
  document.getElementById("key").value = saved.key || newKey();
  form.addEventListener("input", function (event) {
    if (event.target.type !== "file") { document.getElementById("key").value = newKey(); keep(); }
  });
  function count() { document.getElementById("count").textContent = text.value.length; }
  text.addEventListener("input", count);
  count();
  function show(message) { error.textContent = message; error.hidden = !message; if (message) { error.scrollIntoView({ block: "center" }); } }
  function photos() { return thumbs.querySelectorAll("figure").length; }
  function busy() { button.disabled = pending > 0; button.textContent = pending > 0 ? m.uploading : m.submit; }

  function upload(file) {
    if (/hei[cf]/i.test(file.type) || /\.hei[cf]$/i.test(file.name)) { return show(m.heic); }
    if (types.indexOf(file.type) < 0) { return show(m.type); }
    if (file.size > data.max_mb * 1048576) { return show(m.size.replace("{mb}", data.max_mb)); }
    if (!file.size) { return show(m.empty_file); }
    if (photos() >= data.max_photos) { return show(m.too_many.replace("{max}", data.max_photos)); }
    var figure = thumb(URL.createObjectURL(file), file.name);
    pending += 1; busy();
    window.mashangUpload(data.api, "/uploads", file, null, m.upload_failed, true)
      .then(function (upload) { attach(figure, upload); })
      .catch(function (e) { figure.remove(); show(e instanceof TypeError ? m.upload_failed : e.message); })
      .then(function () { pending -= 1; busy(); });
  }

  function thumb(src, alt) {
    var figure = document.createElement("figure");
    var img = document.createElement("img");
    img.src = src; img.alt = alt;
    var remove = document.createElement("button");
    remove.type = "button"; remove.textContent = "×"; remove.setAttribute("aria-label", m.remove);
    remove.addEventListener("click", function () { figure.remove(); keep(); });
    figure.appendChild(img); figure.appendChild(remove); thumbs.appendChild(figure);
    return figure;
  }
  function attach(figure, upload) {
    var hidden = document.createElement("input");
    hidden.type = "hidden"; hidden.name = "photos"; hidden.value = upload;
    figure.appendChild(hidden);
    keep();
  }
  // Photos uploaded before going back to the form are still there (checked and kept by the server).
  (saved.photos || []).slice(0, data.max_photos).forEach(function (upload) {
    attach(thumb("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 4 3'%3E%3Crect width='4' height='3' fill='%23dde3ea'/%3E%3C/svg%3E", m.photo_kept), upload);
  });
  document.getElementById("photo-box").hidden = false;
  input.addEventListener("change", function () {
    show("");
    Array.prototype.forEach.call(input.files, upload);
    input.value = "";
  });
  form.addEventListener("submit", function (event) {
    show("");
    var category = form.querySelector("input[name=category]:checked");
    var phone = document.getElementById("phone").value.replace(/[\s-]/g, "");
    var problem = !category ? m.category
      : text.value.trim().length < data.min ? m.description.replace("{min}", data.min)
      : phone && !/^(\+86)?1[3-9]\d{9}$/.test(phone) ? m.phone
      : pending > 0 ? m.uploading : "";
    if (problem || button.dataset.sent) { event.preventDefault(); return show(problem); }
    // The browser posts the form and follows the answer to the receipt page; a second tap waits.
    button.dataset.sent = "1"; button.disabled = true; button.textContent = m.sending;
  });
  window.addEventListener("pageshow", function () { delete button.dataset.sent; busy(); });
})();
