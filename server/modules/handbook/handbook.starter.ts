import type { Clock } from '@server/platform/clock';
import { newId } from '@server/platform/ids';
import {
  handbookStarterLanguages,
  type HandbookStarterLanguage,
  type Item,
} from '@common/api/handbook';
import type { HandbookRepo, PageRecord } from './handbook.repo';
import { indexesOf } from './handbook.service';
import { slugify } from './handbook.text';
import { onlyUntouchedStarter, STARTER_KEY } from './handbook.transfer';

export type StarterLanguage = HandbookStarterLanguage;

interface StarterPage {
  title: string;
  paragraphs: string[];
}
interface StarterSection {
  head: StarterPage;
  pages: StarterPage[];
}
interface Starter {
  home: StarterPage;
  sections: StarterSection[];
}

const en: Starter = {
  home: {
    title: 'Home',
    paragraphs: [
      'This is our co-op’s handbook: where we write down why we exist, how we share the work and the costs, and how we decide. Every member may read it; the edit policy says who may change it.',
      'Start with [[Principles]], then [[Political economy]], [[Social relations]] and [[Assemblies & deliberations]]. Our rules are in the [[Constitution]] and the [[Code of practice]]; words we use with a special meaning are in [[Keywords]].',
      'These pages are templates: replace each paragraph with your own words.',
    ],
  },
  sections: [
    {
      head: {
        title: 'Principles',
        paragraphs: [
          'What we stand for, in four pages: [[Mission & vision]], [[Spaces]], [[Commoning]] and [[Principles & protocols]].',
        ],
      },
      pages: [
        {
          title: 'Mission & vision',
          paragraphs: [
            'Say in a few sentences what the co-op is for, whom it serves and what world it works towards. #mission',
          ],
        },
        {
          title: 'Spaces',
          paragraphs: [
            'Describe the online meeting spaces the co-op provides: who may use them, what service levels exist and what fair use means here. #spaces',
          ],
        },
        {
          title: 'Commoning',
          paragraphs: [
            'Explain how members look after the shared infrastructure together: enjoying it, provisioning it and stewarding it. #commoning',
          ],
        },
        {
          title: 'Principles & protocols',
          paragraphs: [
            'List the principles the co-op holds to and the protocols that put them into practice, each with a link to its page. #protocols',
          ],
        },
      ],
    },
    {
      head: {
        title: 'Political economy',
        paragraphs: [
          'How money, hours and in-kind contributions come in, how budgets are set and how we pay a fair wage. Link the current budget and the contribution scales here. #economy',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Social relations',
        paragraphs: [
          'Who the members are (member classes, circles, stewards), how people join and leave, and how we care for each other. #membership',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Assemblies & deliberations',
        paragraphs: [
          'How assemblies are called, how proposals are made and discussed, and which decision methods we use (consent, vote) with their quorum. #decisions',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Keywords',
        paragraphs: [
          'Words with a special meaning in this handbook. Tag a page with #keyword to list it in the keyword index.',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Constitution',
        paragraphs: [
          'The co-op’s founding rules as registered: its purpose, membership, governance and how the rules themselves are changed. #constitution',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Code of practice',
        paragraphs: [
          'What we expect of each other in meetings and in shared work, and what happens when something goes wrong. #conduct',
        ],
      },
      pages: [],
    },
  ],
};

const es: Starter = {
  home: {
    title: 'Inicio',
    paragraphs: [
      'Este es el manual de nuestra cooperativa: aquí escribimos por qué existimos, cómo compartimos el trabajo y los costes y cómo decidimos. Toda persona socia puede leerlo; la política de edición dice quién puede cambiarlo.',
      'Empieza por [[Principios]] y sigue con [[Economía política]], [[Relaciones sociales]] y [[Asambleas y deliberaciones]]. Nuestras normas están en los [[Estatutos]] y el [[Código de buenas prácticas]]; las palabras con un sentido propio están en [[Palabras clave]].',
      'Estas páginas son plantillas: sustituye cada párrafo por vuestras propias palabras.',
    ],
  },
  sections: [
    {
      head: {
        title: 'Principios',
        paragraphs: [
          'Lo que defendemos, en cuatro páginas: [[Misión y visión]], [[Espacios]], [[Procomún]] y [[Principios y protocolos]].',
        ],
      },
      pages: [
        {
          title: 'Misión y visión',
          paragraphs: [
            'Di en pocas frases para qué existe la cooperativa, a quién sirve y hacia qué mundo trabaja. #misión',
          ],
        },
        {
          title: 'Espacios',
          paragraphs: [
            'Describe los espacios de reunión en línea que ofrece la cooperativa: quién puede usarlos, qué niveles de servicio hay y qué significa aquí un uso justo. #espacios',
          ],
        },
        {
          title: 'Procomún',
          paragraphs: [
            'Explica cómo las socias cuidan juntas la infraestructura compartida: disfrutarla, aprovisionarla y custodiarla. #procomún',
          ],
        },
        {
          title: 'Principios y protocolos',
          paragraphs: [
            'Enumera los principios de la cooperativa y los protocolos que los llevan a la práctica, cada uno con un enlace a su página. #protocolos',
          ],
        },
      ],
    },
    {
      head: {
        title: 'Economía política',
        paragraphs: [
          'Cómo entran el dinero, las horas y las aportaciones en especie, cómo se fijan los presupuestos y cómo pagamos un salario justo. #economía',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Relaciones sociales',
        paragraphs: [
          'Quiénes son las socias (clases de socias, círculos, custodias), cómo se entra y se sale y cómo nos cuidamos. #membresía',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Asambleas y deliberaciones',
        paragraphs: [
          'Cómo se convocan las asambleas, cómo se presentan y debaten las propuestas y qué métodos de decisión usamos (consentimiento, votación) con su quórum. #decisiones',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Palabras clave',
        paragraphs: [
          'Palabras con un sentido propio en este manual. Marca una página con #palabra para que aparezca en el índice de palabras clave.',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Estatutos',
        paragraphs: [
          'Las normas fundacionales registradas de la cooperativa: su objeto, la membresía, el gobierno y cómo se cambian las propias normas. #estatutos',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Código de buenas prácticas',
        paragraphs: [
          'Lo que esperamos unas de otras en las reuniones y en el trabajo compartido, y qué pasa cuando algo va mal. #conducta',
        ],
      },
      pages: [],
    },
  ],
};

export const starters: Record<StarterLanguage, Starter> = { en, es };

/**
 * Seeds the starter handbook into an empty handbook, once: never when pages exist, never again
 * once seeded (or replaced by an import), even if its pages are later deleted.
 * Returns the number of pages written.
 */
export async function seedStarter(
  repo: HandbookRepo,
  clock: Clock,
  language: StarterLanguage = 'en',
): Promise<number> {
  if ((await repo.getSetting(STARTER_KEY)) !== undefined) return 0;
  if ((await repo.count()) > 0) return 0;
  return repo.transaction(async (tx) => {
    if ((await tx.count()) > 0) return 0;
    const n = await writeStarter(tx, clock, language);
    await tx.bumpGeneration();
    return n;
  });
}

/**
 * Re-seeds the starter handbook in `language` when the handbook still holds only the untouched
 * starter pages in another language (the first steward, set up after the first start, speaks
 * another language than the instance's default). Does nothing when no starter is written in that
 * language, when the starter was edited, replaced by an import or never seeded.
 * Returns the number of pages written (0 when nothing changed).
 */
export async function reseedStarter(
  repo: HandbookRepo,
  clock: Clock,
  language: string,
): Promise<number> {
  if (!isStarterLanguage(language)) return 0;
  return repo.transaction(async (tx) => {
    const raw = await tx.getSetting(STARTER_KEY);
    if (raw === undefined) return 0;
    const seeded = JSON.parse(raw) as { seeded?: boolean; language?: string };
    if (seeded.seeded !== true || seeded.language === language) return 0;
    const pages = await onlyUntouchedStarter(tx);
    if (pages === undefined) return 0;
    // Sections the stewards did not touch either: the order seeding wrote.
    await tx.replaceSections([]);
    for (const p of pages) await tx.deletePage(p.id);
    const n = await writeStarter(tx, clock, language);
    await tx.bumpGeneration();
    return n;
  });
}

/** Whether a starter handbook is written in this language. */
export function isStarterLanguage(language: string): language is StarterLanguage {
  return (handbookStarterLanguages as readonly string[]).includes(language);
}

/** Writes the starter's pages and sections and records it as seeded; inside a transaction. */
async function writeStarter(
  tx: HandbookRepo,
  clock: Clock,
  lang: StarterLanguage,
): Promise<number> {
  const starter = starters[lang];
  const now = clock.now();
  const ids = new Map<string, string>();
  let n = 0;
  const write = async (p: StarterPage) => {
    const story: Item[] = p.paragraphs.map((text, i) => ({
      type: 'paragraph',
      id: `${slugify(p.title).slice(0, 8)}${String(i).padStart(8, '0')}`,
      text,
    }));
    const page: PageRecord = {
      id: newId(),
      slug: slugify(p.title),
      title: p.title,
      story,
      journal: [{ type: 'create', item: { title: p.title, story }, date: now.getTime() }],
      origin: 'starter',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    await tx.insert(page, indexesOf(page.title, story));
    ids.set(p.title, page.id);
    n++;
    return page.id;
  };
  await write(starter.home);
  const sections = [];
  for (const s of starter.sections) {
    const head = await write(s.head);
    const pages = [];
    for (const p of s.pages) pages.push({ pageId: await write(p), parentId: null });
    sections.push({ pageId: head, pages });
  }
  await tx.replaceSections(sections);
  await tx.putSetting(
    STARTER_KEY,
    JSON.stringify({ seeded: true, language: lang }),
    now.toISOString(),
  );
  return n;
}
