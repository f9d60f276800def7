import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { ChatPlayground } from '@/components/chat/chat-playground';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('chatPage');
  return { title: t('metaTitle') };
}

const code = (chunks: ReactNode) => <code>{chunks}</code>;

export default async function ChatPage() {
  const t = await getTranslations('chatPage');
  return (
    <>
      <h1>{t('title')}</h1>
      <p className="lead">{t.rich('lead', { code })}</p>
      <ChatPlayground />
    </>
  );
}
