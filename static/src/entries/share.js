// Entry of the share pages (templates/shares/page.html and embed.html): /s/<slug>[?embed=1].
import "../base/page.js";
import "../workspace/play-page.css";
import "../shares/share.css";
import { mountSharePage } from "../shares/share-page.js";

mountSharePage();
