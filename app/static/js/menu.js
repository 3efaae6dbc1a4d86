// The site menu on a phone: the header shows the site's name and a "Menu" button; the links open
// below it. The button says whether the menu is open (aria-expanded); Escape closes it and gives
// the focus back to the button. Without JavaScript the button stays hidden and the links show as
// they always did.
(function () {
  var header = document.querySelector(".top");
  var button = header && header.querySelector(".menu-toggle");
  var nav = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!nav) {
    return;
  }

  function setOpen(open) {
    header.classList.toggle("is-open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  header.classList.add("has-menu");
  button.hidden = false;
  setOpen(false);
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  header.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && header.classList.contains("is-open")) {
      setOpen(false);
      button.focus();
    }
  });
})();
