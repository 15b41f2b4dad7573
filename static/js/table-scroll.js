// A wide table scrolls inside its box (.app-table-scroll). When it really overflows, the box is
// made a named region that takes keyboard focus, so that keyboard users can scroll it too
// (WCAG 2.1.1); otherwise it stays a plain box and adds no tab stop.
function label(box) {
  const caption = box.querySelector("caption");
  const text = caption ? caption.textContent.trim().replace(/\s+/g, " ") : "";
  return text ? `${text} (scrolls sideways)` : "Table (scrolls sideways)";
}

function update(box) {
  if (box.scrollWidth > box.clientWidth) {
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", label(box));
  } else {
    box.removeAttribute("tabindex");
    box.removeAttribute("role");
    box.removeAttribute("aria-label");
  }
}

function updateAll() {
  document.querySelectorAll(".app-table-scroll").forEach(update);
}

updateAll();
window.addEventListener("resize", updateAll);
