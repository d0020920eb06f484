// Manager pages of a community: copy an invite link; keep the current tab in view on phones.
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

document.addEventListener("DOMContentLoaded", () => {
  const tab = document.querySelector(".kd-manage-tabs .active");
  if (tab) tab.scrollIntoView({ block: "nearest", inline: "center" });
});
