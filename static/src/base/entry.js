// The "base" bundle every page loads from templates/base.html: the nonce for the <style>
// elements libraries write (first, before any of them runs), the theme stylesheet and the
// header's theme toggle and language switch.
import "./style-nonce.js";
import "./theme.css";
import "./page.js";
