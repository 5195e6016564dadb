import { KeywayProvider, useAuthState, useSession, useToken } from '@keyway/react'
import { useEffect, useState } from 'react'
import { Button, StyleSheet, Text, View } from 'react-native'
import { session } from './src/keyway'

/** Re-renders every `ms` so the time left counts down. */
function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms)
    return () => clearInterval(timer)
  }, [ms])
  return now
}

function StatusScreen() {
  const { status, userId, expiresAt, refreshing, lastError } = useAuthState()
  const token = useToken()
  const keyway = useSession()
  const now = useNow(1000)
  const secondsLeft = expiresAt === null ? null : Math.max(0, Math.round((expiresAt - now) / 1000))

  return (
    <View style={styles.screen}>
      <Text style={styles.title}>keyway on React Native</Text>
      <Text testID="status">status: {status}</Text>
      <Text>user: {userId ?? '–'}</Text>
      <Text>token: {token ? `…${token.slice(-6)}` : 'none'}</Text>
      <Text>time left: {secondsLeft === null ? '–' : `${secondsLeft} s`}</Text>
      <Text>{refreshing ? 'refreshing…' : ' '}</Text>
      {lastError ? <Text style={styles.error}>{lastError.code}</Text> : null}
      <Button title="Refresh now" onPress={() => void keyway.refresh().catch(() => {})} />
      <Button title="Sign out" onPress={() => void keyway.signOut()} />
    </View>
  )
}

export default function App() {
  return (
    <KeywayProvider session={session}>
      <StatusScreen />
    </KeywayProvider>
  )
}

const styles = StyleSheet.create({
  screen: { flex: 1, justifyContent: 'center', padding: 24, gap: 8 },
  title: { fontSize: 20, fontWeight: '600', marginBottom: 12 },
  error: { color: '#b00020' },
})
