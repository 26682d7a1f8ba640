/* Social Leaders: the only script on the site. Everything works without it.
 *
 * Privacy-friendly video: the page shows a plain link to the video. Only when the reader
 * clicks it do we load the player (youtube-nocookie.com or Vimeo with do-not-track) in place.
 */
(function () {
  "use strict";

  function loadVideo(event) {
    var link = event.currentTarget;
    var src = link.getAttribute("data-embed");
    if (!src) {
      return;
    }
    event.preventDefault();
    var frame = document.createElement("iframe");
    frame.src = src;
    frame.title = link.getAttribute("data-title") || "Video";
    frame.setAttribute("allow", "autoplay; encrypted-media; picture-in-picture; fullscreen");
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("loading", "lazy");
    frame.className = "video__iframe";
    link.parentNode.replaceChild(frame, link);
    frame.focus();
  }

  // The header's search button opens its box: put the cursor in it.
  function focusSearch(event) {
    var box = event.currentTarget.querySelector("input[type=search]");
    if (event.currentTarget.open && box) {
      box.focus();
    }
  }

  function init() {
    var drawer = document.querySelector(".header-drawer--search");
    if (drawer) {
      drawer.addEventListener("toggle", focusSearch);
    }
    var links = document.querySelectorAll("a.video__load[data-embed]");
    for (var i = 0; i < links.length; i += 1) {
      links[i].addEventListener("click", loadVideo);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
