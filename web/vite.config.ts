import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The People tab: built into web/dist and served by the bot's own server under /tab/.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/tab/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 2000 },
});
