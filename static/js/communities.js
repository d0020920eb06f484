// Community pages: copy an invite link to the clipboard. Loaded only where a [data-copy] button exists.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const done = () => {
    const label = button.querySelector("[data-copy-label]") || button;
    label.textContent = button.dataset.copiedLabel || "Copied";
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(button.dataset.copy).then(done);
  } else {
    // Plain-HTTP development: select the text so the person can copy it themselves.
    const target = document.getElementById(button.dataset.copyTarget);
    if (target) window.getSelection().selectAllChildren(target);
  }
});
