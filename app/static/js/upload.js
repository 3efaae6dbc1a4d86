/* Progressive enhancement of the draft form (app/templates/portal/draft.html).
   Without this script everything still works: each "Tải lên" button posts the whole form.
   With it, a chosen file is uploaded at once, on its own, with a progress bar, and the page
   warns before leaving with unsaved typing. No dependencies. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-form]");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var dirty = false;

  function hideButtons(root) {
    var buttons = root.querySelectorAll("[data-upload-button]");
    for (var i = 0; i < buttons.length; i++) { buttons[i].hidden = true; }
  }

  function showProblem(block, message) {
    var error = block.querySelector(".error");
    if (!error) {
      error = document.createElement("p");
      error.className = "error";
      error.setAttribute("role", "alert");
      block.querySelector(".hint").insertAdjacentElement("afterend", error);
    }
    error.textContent = message;
    block.classList.add("doc--error");
  }

  function replaceBlock(block, html) {
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var fresh = holder.firstElementChild;
    hideButtons(fresh);
    block.parentNode.replaceChild(fresh, block);
    return fresh;
  }

  function failed(block, input, message) {
    input.disabled = false;
    input.value = "";
    block.querySelector(".upload-progress").hidden = true;
    var buttons = block.querySelectorAll("[data-upload-button]");
    for (var i = 0; i < buttons.length; i++) { buttons[i].hidden = false; }
    showProblem(block, message || form.getAttribute("data-msg-failed"));
  }

  function upload(input) {
    var file = input.files && input.files[0];
    if (!file) { return; }
    var block = input.closest("[data-doc]");
    var max = Number(input.getAttribute("data-max-bytes"));
    if (max && file.size > max) {
      input.value = "";
      showProblem(block, input.getAttribute("data-too-large"));
      return;
    }
    var data = new FormData();
    data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
    data.append(input.name, file, file.name);
    var box = block.querySelector(".upload-progress");
    var bar = box.querySelector("progress");
    var text = box.querySelector(".upload-progress__text");
    bar.value = 0;
    text.textContent = form.getAttribute("data-msg-uploading") + " 0%";
    box.hidden = false;
    input.disabled = true;  // a disabled input is not posted again by "Lưu nháp" meanwhile

    var xhr = new XMLHttpRequest();
    xhr.open("POST", input.getAttribute("data-upload-url"));
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = function (event) {
      if (event.lengthComputable) {
        var percent = Math.round((event.loaded / event.total) * 100);
        bar.value = percent;
        text.textContent = form.getAttribute("data-msg-uploading") + " " + percent + "%";
      }
    };
    xhr.onload = function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (ignored) { body = null; }
      if (body && body.html) {
        var fresh = replaceBlock(block, body.html);
        var live = form.querySelector("[data-live]");
        if (live) { live.textContent = body.message || ""; }
        if (!body.ok) { var err = fresh.querySelector(".error"); if (err) { err.focus(); } }
      } else {
        failed(block, input, body && body.error ? body.error.message : null);
      }
    };
    xhr.onerror = function () { failed(block, input, null); };
    xhr.send(data);
  }

  hideButtons(form);
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("input[type=file][data-upload-url]")) {
      upload(target);
    } else {
      dirty = true;
    }
  });
  form.addEventListener("input", function (event) {
    if (event.target.type !== "file") { dirty = true; }
  });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
})();
