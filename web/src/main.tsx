import { app, authentication, pages } from "@microsoft/teams-js";
import {
  FluentProvider,
  teamsDarkTheme,
  teamsHighContrastTheme,
  teamsLightTheme,
  type Theme,
} from "@fluentui/react-components";
import { StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { configureAuth } from "./api";
import { App } from "./App";
import { SignIn, type DevUser } from "./SignIn";

type AuthConfig = { mode: "dev" | "teams-sso"; audience: string; users?: DevUser[] };

const THEMES: Record<string, Theme> = {
  default: teamsLightTheme,
  dark: teamsDarkTheme,
  contrast: teamsHighContrastTheme,
};
const TOKEN_KEY = "access-desk-dev-token";

/** True inside a Teams (or Microsoft 365) host; a plain browser window is not framed. */
const initializeTeams = async (): Promise<boolean> => {
  if (window.parent === window && !window.opener) return false;
  try {
    await Promise.race([
      app.initialize(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 5000)),
    ]);
    return true;
  } catch {
    return false;
  }
};

/** Saves the team tab's configuration: the People page, as a tab in the channel. */
const registerTabConfig = () => {
  pages.config.registerOnSaveHandler((saveEvent) => {
    const base = `${window.location.origin}/tab/`;
    pages.config
      .setConfig({
        entityId: "access-desk-people",
        contentUrl: `${base}#/people`,
        websiteUrl: `${base}#/people`,
        suggestedDisplayName: "People",
      })
      .then(
        () => saveEvent.notifySuccess(),
        (e) => saveEvent.notifyFailure(String(e)),
      );
  });
  pages.config.setValidityState(true);
};

const Root = () => {
  const [theme, setTheme] = useState<Theme>(
    window.matchMedia?.("(prefers-color-scheme: dark)").matches ? teamsDarkTheme : teamsLightTheme,
  );
  const [state, setState] = useState<
    | { kind: "loading" }
    | { kind: "ready"; inTeams: boolean }
    | { kind: "sign-in"; users: DevUser[] }
    | { kind: "teams-only" }
    | { kind: "error"; message: string }
  >({ kind: "loading" });

  useEffect(() => {
    (async () => {
      const inTeams = await initializeTeams();
      const config = (await (await fetch("/api/auth/config")).json()) as AuthConfig;
      if (inTeams) {
        const context = await app.getContext();
        setTheme(THEMES[context.app.theme] ?? teamsLightTheme);
        app.registerOnThemeChangeHandler((name) => setTheme(THEMES[name] ?? teamsLightTheme));
        configureAuth(
          () => authentication.getAuthToken(),
          () => setState({ kind: "error", message: "Teams could not sign you in to Access Desk." }),
        );
        if (window.location.hash.startsWith("#/config")) registerTabConfig();
        app.notifySuccess();
        setState({ kind: "ready", inTeams: true });
        return;
      }
      if (config.mode !== "dev") {
        setState({ kind: "teams-only" });
        return;
      }
      const signOut = () => {
        sessionStorage.removeItem(TOKEN_KEY);
        setState({ kind: "sign-in", users: config.users ?? [] });
      };
      configureAuth(async () => sessionStorage.getItem(TOKEN_KEY) ?? "", signOut);
      setState(
        sessionStorage.getItem(TOKEN_KEY)
          ? { kind: "ready", inTeams: false }
          : { kind: "sign-in", users: config.users ?? [] },
      );
    })().catch((e) => setState({ kind: "error", message: String(e) }));
  }, []);

  const signIn = async (objectId: string) => {
    const res = await fetch("/dev/token", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ objectId }),
    });
    const { token } = (await res.json()) as { token: string };
    sessionStorage.setItem(TOKEN_KEY, token);
    setState({ kind: "ready", inTeams: false });
  };

  return (
    <FluentProvider theme={theme} style={{ minHeight: "100vh" }}>
      {state.kind === "loading" && <p style={{ padding: 24 }}>Loading Access Desk…</p>}
      {state.kind === "error" && (
        <p role="alert" style={{ padding: 24 }}>
          {state.message}
        </p>
      )}
      {state.kind === "teams-only" && (
        <p style={{ padding: 24 }}>Open Access Desk's People tab in Microsoft Teams to sign in.</p>
      )}
      {state.kind === "sign-in" && <SignIn users={state.users} onSignIn={signIn} />}
      {state.kind === "ready" && (
        <App
          inTeams={state.inTeams}
          onSignOut={
            state.inTeams
              ? undefined
              : () => {
                  sessionStorage.removeItem(TOKEN_KEY);
                  window.location.reload();
                }
          }
        />
      )}
    </FluentProvider>
  );
};

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
