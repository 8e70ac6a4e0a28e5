/* One photo straight to storage: ask the API for a one-time upload form, post the file with it,
   then (citizens) have it checked and cleaned at once, so a file that is not a photo is refused
   while the form is still open. Answers the upload's id. Shared by the intake page, the tracking
   box and the console. Errors carry the API's worded message, or `failed`. */
"use strict";
window.mashangUpload = function (api, formPath, file, headers, failed, check) {
  var lang = "?lang=" + encodeURIComponent(document.documentElement.lang);
  function json(r) {
    return r.json().catch(function () { return {}; }).then(function (j) {
      if (!r.ok) { throw new Error(j.message || failed); }
      return j;
    });
  }
  return fetch(api + formPath + lang, {
    method: "POST", headers: Object.assign({ "Content-Type": "application/json" }, headers || {}),
    body: JSON.stringify({ content_type: file.type, size: file.size })
  }).then(json).then(function (form) {
    var body = new FormData();
    Object.keys(form.fields).forEach(function (k) { body.append(k, form.fields[k]); });
    body.append("file", file);
    return fetch(form.url, { method: "POST", body: body }).then(function (r) {
      if (!r.ok) { throw new Error(failed); }
      if (!check) { return form.upload; }
      return fetch(api + "/uploads/" + form.upload + lang, { method: "POST" }).then(json)
        .then(function () { return form.upload; });
    });
  });
};
