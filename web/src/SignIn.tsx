import { Button, Card, CardHeader, Text, Title2, makeStyles, tokens } from "@fluentui/react-components";

export type DevUser = { objectId: string; name: string; upn: string };

const useStyles = makeStyles({
  page: {
    maxWidth: "560px",
    margin: "48px auto",
    padding: "0 16px",
    display: "flex",
    flexDirection: "column",
    gap: "16px",
  },
  list: { display: "flex", flexDirection: "column", gap: "8px", listStyleType: "none", padding: 0, margin: 0 },
  note: { color: tokens.colorNeutralForeground3 },
});

/**
 * Local mode only: stands in for Teams single sign-on. Pick one of the Agents Playground's mock people;
 * the server issues a token for them that it checks exactly as it checks Entra ID tokens.
 */
export const SignIn = ({ users, onSignIn }: { users: DevUser[]; onSignIn: (objectId: string) => void }) => {
  const s = useStyles();
  return (
    <main className={s.page}>
      <Title2 as="h1">Sign in to Access Desk (local)</Title2>
      <Text className={s.note}>
        In Teams you are signed in automatically. Locally, choose who you are: the same people as in the Agents
        Playground.
      </Text>
      <ul className={s.list} aria-label="People you can sign in as">
        {users.map((u) => (
          <li key={u.objectId}>
            <Card>
              <CardHeader
                header={<Text weight="semibold">{u.name}</Text>}
                description={<Text className={s.note}>{u.upn}</Text>}
                action={
                  <Button appearance="primary" onClick={() => onSignIn(u.objectId)} aria-label={`Sign in as ${u.name}`}>
                    Sign in
                  </Button>
                }
              />
            </Card>
          </li>
        ))}
      </ul>
    </main>
  );
};
